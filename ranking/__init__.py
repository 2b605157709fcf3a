"""Status, scores and rankings over the stored facts (the pure rules live in domain/)."""
