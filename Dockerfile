FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY simulator ./simulator
COPY scenarios ./scenarios
RUN pip install --no-cache-dir .
EXPOSE 8090
CMD ["voicesim", "serve", "--host", "0.0.0.0"]
