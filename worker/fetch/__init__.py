"""Getting documents: HTTP(S) feeds and local drop folders -> Document."""
