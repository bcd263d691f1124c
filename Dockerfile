FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY matchmaker ./matchmaker
COPY templates ./templates
COPY static ./static
COPY seed ./seed
RUN pip install --no-cache-dir -e .
EXPOSE 8000
CMD ["matchmaker", "serve"]
