"""Reading HTML forms into the domain's input schemas, and errors back onto the fields."""
