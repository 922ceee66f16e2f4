# PaperBot image: `paperbot run` (the worker) by default, `paperbot serve` for the web process.
#   docker build -t paperbot .                            the default install (no torch)
#   docker build --build-arg EXTRAS=semantic -t paperbot .   + sentence embeddings (torch CPU)
# docker-compose.yml runs both processes with PostgreSQL; README.md "Deploy" walks through it.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG EXTRAS=""
ARG TORCH_VERSION=2.13.0
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/paperbot
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
COPY app ./app
# The semantic extra needs torch: the CPU build from PyTorch's index (no CUDA, a fraction of
# the size), installed first so the extra's torch==2.13.0 pin is already met.
RUN if [ -n "${EXTRAS}" ]; then \
        /opt/paperbot/bin/pip install --no-cache-dir \
            --index-url https://download.pytorch.org/whl/cpu "torch==${TORCH_VERSION}" && \
        /opt/paperbot/bin/pip install --no-cache-dir ".[${EXTRAS}]"; \
    else \
        /opt/paperbot/bin/pip install --no-cache-dir .; \
    fi

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 paperbot && \
    useradd --system --uid 10001 --gid 10001 --home-dir /app --create-home \
        --shell /usr/sbin/nologin paperbot
COPY --from=build /opt/paperbot /opt/paperbot
ENV PATH=/opt/paperbot/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOG_FORMAT=plain \
    WEB_HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# non-root: the paperbot user created above
USER 10001:10001
EXPOSE 3000
# Settings and database (no network): the worker's health; the web process has GET /healthz.
HEALTHCHECK --interval=60s --timeout=20s --start-period=30s --retries=3 \
    CMD ["paperbot", "doctor", "--quick"]
CMD ["paperbot", "run"]
