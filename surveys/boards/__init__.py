"""Live retrospective boards: rose/thorn/bud and friends, run on the big screen with phones in the room."""
