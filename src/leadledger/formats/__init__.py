"""Our formats where Django's locale differs from how a Chinese sales office writes (FORMAT_MODULE_PATH)."""
