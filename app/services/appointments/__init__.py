"""Information sessions and interviews."""
