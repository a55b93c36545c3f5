"""Small widgets of the practice app: each shows one thing and holds no business logic."""
