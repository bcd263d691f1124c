FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY matchmaker ./matchmaker
COPY templates ./templates
COPY static ./static
COPY seed ./seed
# Chinese text in the bulletin charts (matplotlib) needs a CJK font.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -e .
EXPOSE 8000
CMD ["matchmaker", "serve"]
