"""The Starlette web app: pages in Chinese and the JSON API under /api/v1."""
