"""Microsoft Graph: msal sign-in, the HTTP client, calendar reads, Teams join links and mail.

msal and requests are imported only inside this package, and only inside functions, so that
`meetstream --help` never loads them.
"""
