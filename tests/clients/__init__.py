"""Real clients (Node SDKs, pycognito) and server processes, driven over live HTTP."""
