FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY simulator ./simulator
COPY scenarios ./scenarios
RUN pip install --no-cache-dir -c constraints.txt .
EXPOSE 8090
# /_sim/health over loopback with the stdlib (slim images have no curl); sends the control token if set.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, urllib.request as u; t = os.environ.get('VOICESIM_CONTROL_TOKEN'); u.urlopen(u.Request('http://127.0.0.1:%s/_sim/health' % os.environ.get('VOICESIM_PORT', '8090'), headers={'Authorization': 'Bearer ' + t} if t else {}), timeout=2)"
CMD ["voicesim", "serve", "--host", "0.0.0.0"]
