"""The reception desk (接待台): ask-first search (IH-18), registration, and the rotation board (Q-1..Q-10)."""
