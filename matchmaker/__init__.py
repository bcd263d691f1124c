"""matchmaker: 溧阳技术转移对接平台 (technology-transfer matchmaking for Liyang)."""

__version__ = "0.1.0"
