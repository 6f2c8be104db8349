"""公共设施: public facilities, their keepers, upkeep rounds and the QR problem reports."""
