"""State changes in supporter care, one module per area. Each is atomic, validated and audited."""
