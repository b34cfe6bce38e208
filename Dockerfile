FROM python:3.11-slim
# The simulator runs as an unprivileged user (numeric, so runAsNonRoot can check it) that owns /data, the data
# dir with VOICESIM_DATA_DIR=/data (a named volume mounted there starts with that owner).
RUN groupadd --system --gid 10001 voicesim \
 && useradd --system --uid 10001 --gid voicesim --home-dir /data --no-create-home --shell /usr/sbin/nologin voicesim \
 && mkdir /data && chown voicesim:voicesim /data
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY simulator ./simulator
COPY scenarios ./scenarios
RUN pip install --no-cache-dir -c constraints.txt .
USER 10001:10001
EXPOSE 8090
# /_sim/health over loopback with the stdlib (slim images have no curl); sends the control token if set, and
# speaks HTTPS when VOICESIM_TLS_CERT or VOICESIM_TLS_SELF_SIGNED is set (a liveness check: the certificate
# is not what it checks, so it is not verified).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, ssl, urllib.request as u; e = os.environ.get; t = e('VOICESIM_CONTROL_TOKEN'); s = 'https' if e('VOICESIM_TLS_CERT') or e('VOICESIM_TLS_SELF_SIGNED', '').lower() in ('1', 'true', 'yes', 'on') else 'http'; u.urlopen(u.Request('%s://127.0.0.1:%s/_sim/health' % (s, e('VOICESIM_PORT', '8090')), headers={'Authorization': 'Bearer ' + t} if t else {}), timeout=2, context=ssl._create_unverified_context())"
CMD ["voicesim", "serve", "--host", "0.0.0.0"]
