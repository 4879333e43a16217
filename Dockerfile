# Yorisoi production image: slim Python, non-root, index built at image build, granian behind `yorisoi serve`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    YORISOI_DATA_DIR=/var/lib/yorisoi \
    TZ=Asia/Tokyo

RUN groupadd --system yorisoi && useradd --system --gid yorisoi --home-dir /app --shell /usr/sbin/nologin yorisoi

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY intents ./intents
COPY handoff ./handoff
RUN pip install --no-compile . && rm -rf /root/.cache

# The index is built into the data directory at image build; Docker copies it into a fresh named volume on
# first start, and the manifest check rebuilds it after an upgrade that changed the documents (a named volume
# keeps the old index, so the first start after such an upgrade takes minutes: hence the long start period).
RUN mkdir -p /var/lib/yorisoi && yorisoi index && chown -R yorisoi:yorisoi /var/lib/yorisoi
VOLUME ["/var/lib/yorisoi"]

USER yorisoi
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

CMD ["yorisoi", "serve", "--host", "0.0.0.0", "--port", "8000"]
