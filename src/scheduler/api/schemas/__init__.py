"""Request and response bodies (msgspec Structs), kept apart from domain views."""
