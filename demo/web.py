"""The demo's dashboard: the link /web gives, and screenshots of every page for the demo city.

Screenshots need the dev set-up (Playwright and Debian's chromium, `scripts/setup dev`);
without it the demo still prints the link and says what is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.harness import RunningBot, Talk, rows

PAGES = (
    ("overview", "/"),
    ("units", "/units"),
    ("unit", "/units/{unit}"),
    ("project", "/projects/{project}"),
    ("problems", "/problems"),
    ("download", "/download"),
)


async def web_link(talk: Talk) -> str:
    """What the person gets for /web: the one-time sign-in link."""
    text = await talk.text("/web", until="/login/")
    found = re.search(r"https?://\S+/login/\S+", text)
    assert found, text
    return found.group(0)


async def screenshots(
    bot: RunningBot, admin: Talk, leader: Talk, out: Path, shown: Path
) -> list[str]:
    """Sign in as the admin and as the leader, photograph every page into `out`/web; lines to
    print (naming `shown`/web, where the demo moves them)."""
    try:
        from tests.web.browser import Chromium, chromium_path

        chromium_path()
    except (ImportError, RuntimeError) as exc:
        return [f"(no screenshots of the dashboard: {exc}; run scripts/setup dev)"]
    db_path = bot.config.storage_path
    # The unit and the project with the most to show: reports, a photo, a problem.
    project, unit = rows(
        db_path,
        "SELECT p.id, p.unit_id FROM projects p LEFT JOIN reports r ON r.project_id = p.id"
        " LEFT JOIN problems pr ON pr.project_id = p.id GROUP BY p.id"
        " ORDER BY COUNT(DISTINCT pr.id) DESC, COUNT(DISTINCT r.id) DESC, p.id LIMIT 1",
    )[0]
    folder = out / "web"
    shots: list[Path] = []
    async with Chromium() as browser:
        visitor = await browser.visitor()
        link = await web_link(admin)
        await visitor.login(link)
        base = link.split("/login/")[0]
        for name, path in PAGES:
            await visitor.open(base + path.format(unit=unit, project=project))
            shots += await visitor.shoot(folder, f"admin-{name}")
        lead = await browser.visitor()
        await lead.login(await web_link(leader))
        shots += await lead.shoot(folder, "leader-home")
        outside = sorted(visitor.hosts | lead.hosts)
        errors = visitor.errors + lead.errors
    lines = [f"— screenshots of the dashboard ({len(shots)} files, phone and 1920×1080) are in"
             f" {shown / 'web'}/"]  # fmt: skip
    lines.append(f"  hosts the pages asked: {', '.join(outside)}; console errors: {len(errors)}")
    return lines
