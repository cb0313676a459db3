"""The second factor after a right password: passkeys (WebAuthn), TOTP codes from an app, recovery codes, and the
activation letter with which a patient without e-ID sets up a password and an app at the clinic."""
