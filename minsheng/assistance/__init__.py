"""帮扶台账: people who need help, their assistance, and the village employment service stations."""
