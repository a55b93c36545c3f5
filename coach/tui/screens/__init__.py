"""The app's screens: home (browse), practice (record), processing, review."""
