"""A browser's user-agent string in plain words ("Chrome on Windows") for the sessions pages.

Only a name for people to recognise their own devices: user agents are easy to fake, so nothing
decides anything by them. Order matters: Edge and Opera also claim to be Chrome, Chrome claims to
be Safari, and every iPhone browser runs on Safari's engine but names itself (CriOS, FxiOS, EdgiOS).
"""

from __future__ import annotations

UNKNOWN_DEVICE = "Unknown device"

# (marker in the user agent, browser name), first match wins.
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
# (marker, system name), first match wins: iPhone and Android user agents also say "Mac OS X" and "Linux".
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def _first(user_agent: str, names: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for marker, name in names if marker in user_agent), None)


def device_name(user_agent: str | None) -> str:
    """'Chrome on Windows', 'Safari on iPhone', 'Firefox', 'Linux' or 'Unknown device'."""
    if not user_agent:
        return UNKNOWN_DEVICE
    browser, system = _first(user_agent, _BROWSERS), _first(user_agent, _SYSTEMS)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or UNKNOWN_DEVICE
