"""Every write of the spaces app: rooms (rooms.py) and their bookings (bookings.py)."""
