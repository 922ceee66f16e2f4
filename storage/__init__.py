"""Persistence: the only package that imports SQLModel / SQLAlchemy."""
