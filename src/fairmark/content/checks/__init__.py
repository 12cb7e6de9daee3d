"""Policy checks of the content scanner (input kind ``"content"``)."""
