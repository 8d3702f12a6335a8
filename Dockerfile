# syntax=docker/dockerfile:1
# One image for every Safeguard service; the command picks the service:
#   safeguard intake --host 0.0.0.0 --port 8000
#   safeguard router | safeguard notifier
#   safeguard notifier-api --host 0.0.0.0 --port 8001
#
# Base pinned by tag. Pin it by digest too when releasing (the registry cannot be reached
# from the machines this repository is built on, so no digest is written here):
#   docker buildx imagetools inspect python:3.11-slim-bookworm
#   then build with --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<digest>
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: resolve and install the distribution into a self-contained virtualenv ----------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
# Every dependency ships a wheel for linux/amd64 and arm64, so no compiler is needed even here.
RUN python -m venv /opt/safeguard
WORKDIR /src
COPY pyproject.toml ./
COPY contracts ./contracts
COPY services ./services
# rocksdict backs faust's rocksdb:// table store (router and notifier in production). It is
# named here until pyproject.toml grows a `rocksdb` extra; keep the two in step.
RUN /opt/safeguard/bin/pip install . "rocksdict==0.3.29" \
    && /opt/safeguard/bin/python -m compileall -q /opt/safeguard/lib \
    && /opt/safeguard/bin/pip uninstall --yes pip setuptools

# ---- runtime: the virtualenv, a non-root user, nothing else ------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="safeguard" \
      org.opencontainers.image.description="Safeguard: interagency alerting for child protection"
# The Python base already carries ca-certificates (Twilio, SMTP over TLS) and tzdata
# (rosters name their time zone, e.g. Asia/Ho_Chi_Minh).
RUN groupadd --system --gid 10001 safeguard \
    && useradd --system --uid 10001 --gid safeguard --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin safeguard
COPY --from=build /opt/safeguard /opt/safeguard
ENV PATH=/opt/safeguard/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp
# The root filesystem is read-only in the cluster: /tmp and the table data directory are
# volumes mounted by the manifests (deploy/k8s/).
WORKDIR /tmp
USER 10001:10001
EXPOSE 8000 8001 9101 9102
ENTRYPOINT ["safeguard"]
CMD ["--help"]
