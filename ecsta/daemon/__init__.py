"""What every long-running ecsta service shares: configuration checks (:mod:`.config`), listening
now or failing in one line (:mod:`.listening`), verified client endpoints (:mod:`.endpoints`),
logins (:mod:`.auth`), readiness for systemd, reloads, logs, metrics and capture."""
