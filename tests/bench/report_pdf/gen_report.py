#!/usr/bin/env python3
# gen_report.py - writes report.html, the sample consolidated executive report
# (issue 20) that run.sh prints to PDF: deterministic made-up data, the charts
# as inline SVG the way a C worker would emit them, no external resources.
# Usage: python3 gen_report.py > report.html
import html
import random

R = random.Random(20)
MONTHS = ["Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
SEV = [("critical", "#b42318"), ("high", "#c2410c"), ("medium", "#876400"), ("low", "#2a7330")]
MSPS = ["Bluefin IT", "Cobalt Networks", "Harbor Managed Services", "Kestrel IT"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella Logistics", "Stark Freight", "Wayne Dental",
             "Hooli Retail", "Vandelay Imports", "Soylent Foods", "Tyrell Clinics", "Cyberdyne Labs",
             "Wonka Confectionery", "Oscorp Pharma", "Gringotts Credit Union", "Monarch Legal",
             "Dunder Paper", "Pied Piper", "Massive Dynamic", "Aperture Optics", "Black Mesa Water",
             "Nakatomi Trading", "Prestige Worldwide", "Sterling Cooper", "Bluth Homes",
             "Los Pollos Hermanos", "Krusty Foods", "Duff Brewing", "Ollivander Wands",
             "Rekall Travel", "Weyland Mining", "Virtucon", "Gekko Capital", "Spacely Sprockets",
             "Cogswell Cogs", "Zorg Industries", "Acme West", "Globex East", "Initech Payroll",
             "Blue Sun Grocers", "Veridian Dynamics", "Roxxon Energy", "Hanso Research",
             "Buy n Large", "Omni Consumer", "Gadgetron", "Kwik-E-Mart Group", "Nuka Bottling",
             "Vault-Tec Housing"]

def esc(s):
    return html.escape(str(s), quote=True)

def bar_chart():
    w, h, left, bottom, top = 640, 300, 48, 40, 16
    data = [[R.randint(4, 18), R.randint(20, 60), R.randint(60, 160), R.randint(80, 220)] for _ in MONTHS]
    vmax = 500
    ph = h - bottom - top
    out = [f'<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
           f'aria-labelledby="c1t"><title id="c1t">Alerts per month by severity, all accounts</title>']
    for v in range(0, vmax + 1, 100):
        y = top + ph - ph * v / vmax
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - 8}" y2="{y:.1f}" stroke="#d9dde3" stroke-width="1"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{v}</text>')
    bw = (w - left - 8) / len(MONTHS)
    for i, (m, row) in enumerate(zip(MONTHS, data)):
        x = left + i * bw + bw * 0.18
        y = top + ph
        for (name, col), v in zip(SEV, row):
            hh = ph * v / vmax
            y -= hh
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw * 0.64:.1f}" height="{hh:.1f}" fill="{col}"><title>{m}: {v} {name}</title></rect>')
        out.append(f'<text x="{x + bw * 0.32:.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="11">{m}</text>')
    lx = left
    for name, col in SEV:
        out.append(f'<rect x="{lx}" y="{h - 14}" width="10" height="10" fill="{col}"/>'
                   f'<text x="{lx + 14}" y="{h - 5}" font-size="11">{name}</text>')
        lx += 90
    out.append('</svg>')
    return "\n".join(out), data

def line_chart():
    w, h, left, bottom, top = 640, 260, 48, 40, 16
    mttd = [round(9 - i * 0.4 + R.uniform(-1, 1), 1) for i in range(12)]
    mttr = [round(31 - i * 1.3 + R.uniform(-3, 3), 1) for i in range(12)]
    vmax = 40
    ph = h - bottom - top
    out = [f'<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
           f'aria-labelledby="c2t"><title id="c2t">Mean time to detect and to resolve, hours</title>']
    for v in range(0, vmax + 1, 10):
        y = top + ph - ph * v / vmax
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - 8}" y2="{y:.1f}" stroke="#d9dde3"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{v} h</text>')
    step = (w - left - 24) / 11
    for series, col, name, dash in ((mttd, "#1a5fd0", "time to detect", ""), (mttr, "#b42318", "time to resolve", ' stroke-dasharray="6 3"')):
        pts = " ".join(f"{left + 8 + i * step:.1f},{top + ph - ph * v / vmax:.1f}" for i, v in enumerate(series))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{col}" stroke-width="2.5"{dash}/>')
        for i, v in enumerate(series):
            out.append(f'<circle cx="{left + 8 + i * step:.1f}" cy="{top + ph - ph * v / vmax:.1f}" r="3" fill="{col}"/>')
    for i, m in enumerate(MONTHS):
        out.append(f'<text x="{left + 8 + i * step:.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="11">{m}</text>')
    out.append(f'<line x1="{left}" y1="{h - 9}" x2="{left + 24}" y2="{h - 9}" stroke="#1a5fd0" stroke-width="2.5"/><text x="{left + 30}" y="{h - 5}" font-size="11">mean time to detect</text>'
               f'<line x1="{left + 180}" y1="{h - 9}" x2="{left + 204}" y2="{h - 9}" stroke="#b42318" stroke-width="2.5" stroke-dasharray="6 3"/><text x="{left + 210}" y="{h - 5}" font-size="11">mean time to resolve</text>')
    out.append('</svg>')
    return "\n".join(out), mttd, mttr

INCIDENT_TEXT = [
    "Credential stuffing against the customer VPN portal from a residential proxy network; blocked by the access policy after 41 minutes, two accounts reset.",
    "Phishing message impersonating the payroll provider reached 23 mailboxes; 3 users clicked, no credentials entered according to the proxy logs.",
    "Cobalt Strike beacon on a finance workstation, isolated by the agent within 4 minutes of the first callback; reimaged.",
    "Outdated VPN appliance firmware exploited (CVE-2026-1187); attacker enumerated the LAN, no data left the network.",
    "Cryptominer installed through an exposed Jenkins instance on a test server; server decommissioned.",
    "Business e-mail compromise: forwarding rule created on the CFO's mailbox; rule removed, MFA enforced tenant-wide.",
    "Ransomware precursor (AdFind and Rclone) on a file server, stopped before encryption; backups verified.",
    "Brute force against RDP exposed by a forgotten port forward on the branch router; port closed.",
]

def incidents():
    rows = []
    for i in range(16):
        acc = R.choice(COMPANIES)
        sev = R.choice(["critical", "high", "high", "medium"])
        rows.append((f"INC-2026-{1040 + i * 7}", f"2026-{R.randint(1, 11):02d}-{R.randint(1, 28):02d}", acc, sev,
                     R.choice(INCIDENT_TEXT), f"{R.randint(1, 72)} h"))
    return rows

def vuln_rows():
    rows = []
    for i, c in enumerate(COMPANIES):
        msp = MSPS[i % len(MSPS)]
        dev = R.randint(12, 420)
        crit, high, med = R.randint(0, 9), R.randint(0, 40), R.randint(5, 160)
        rows.append((c, msp, dev, crit, high, med, f"{R.uniform(71, 99.8):.1f} %", R.randint(0, 90) if crit else "—"))
    return rows

def device_rows():
    rows = []
    kinds = ["gateway", "endpoint agent", "server agent", "cloud connector"]
    for i in range(30):
        c = COMPANIES[i % len(COMPANIES)]
        rows.append((f"{c.split()[0].lower()}-{R.choice(['gw', 'srv', 'ws', 'cc'])}-{R.randint(1, 40)}", c, R.choice(kinds),
                     R.choice(["9.4.2", "9.4.1", "9.3.7", "9.2.0"]), R.choice(["early", "broad", "broad", "pinned"]),
                     f"{R.randint(0, 72)} h ago" if R.random() < .8 else "14 d ago", R.choice(["healthy"] * 5 + ["degraded", "offline"])))
    return rows

def table(cls, caption, head, rows, num=()):
    out = [f'<table class="{cls}"><caption>{esc(caption)}</caption><thead><tr>']
    for i, h in enumerate(head):
        out.append(f'<th{" class=n" if i in num else ""}>{esc(h)}</th>')
    out.append('</tr></thead><tbody>')
    for r in rows:
        out.append('<tr>' + "".join(f'<td{" class=n" if i in num else ""}>{esc(v)}</td>' for i, v in enumerate(r)) + '</tr>')
    out.append('</tbody></table>')
    return "".join(out)

SECTIONS = [("s1", "Executive summary"), ("s2", "Threat activity"), ("s3", "Incidents"),
            ("s4", "Vulnerabilities by account"), ("s5", "Devices and agents"),
            ("s6", "Configuration plans"), ("s7", "Method and definitions")]

CSS = r"""
@page { size: A4; margin: 22mm 16mm 20mm 16mm;
  @top-left { content: "Northwind Security — Consolidated executive report"; font: 8pt "DejaVu Sans", sans-serif; color: #5b6470; }
  @top-right { content: "November 2026"; font: 8pt "DejaVu Sans", sans-serif; color: #5b6470; }
  @bottom-center { content: counter(page) " / " counter(pages); font: 8pt "DejaVu Sans", sans-serif; color: #5b6470; }
  @bottom-right { content: "Confidential — Bluefin IT and its customers"; font: 7pt "DejaVu Sans", sans-serif; color: #5b6470; } }
@page cover { margin: 0; @top-left { content: none } @top-right { content: none } @bottom-center { content: none } @bottom-right { content: none } }
html { font: 10pt/1.45 "DejaVu Sans", sans-serif; color: #1b1f24; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; }
.cover { page: cover; height: 297mm; box-sizing: border-box; padding: 60mm 20mm 20mm; background: #14325e; color: #fff; position: relative; break-after: page; }
@media print { html.letter .cover { height: 279mm; } }
.cover .logo { width: 64px; height: 64px; }
.cover h1 { font-size: 30pt; line-height: 1.15; margin: 18mm 0 6mm; }
.cover .sub { font-size: 14pt; color: #cfe0ff; }
.cover .meta { position: absolute; bottom: 22mm; left: 20mm; font-size: 10pt; color: #cfe0ff; }
h2 { font-size: 17pt; color: #14325e; margin: 0 0 4mm; padding-bottom: 2mm; border-bottom: 2px solid #1a5fd0; break-before: page; break-after: avoid; }
h3 { font-size: 12pt; color: #14325e; margin: 6mm 0 2mm; break-after: avoid; }
p { margin: 0 0 3mm; orphans: 3; widows: 3; }
nav.toc h2, h2.flow { break-before: auto; margin-top: 8mm; }
nav.toc ol { list-style: none; padding: 0; margin: 8mm 0; font-size: 12pt; }
nav.toc li { display: flex; align-items: baseline; margin: 0 0 4mm; }
nav.toc li a { color: inherit; text-decoration: none; }
nav.toc li .dots { flex: 1; border-bottom: 1px dotted #5b6470; margin: 0 2mm; }
nav.toc li .pg { min-width: 8mm; text-align: right; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 4mm; margin: 4mm 0 6mm; break-inside: avoid; }
.kpi { border: 1px solid #d9dde3; border-radius: 3mm; padding: 3mm; }
.kpi b { display: block; font-size: 18pt; color: #14325e; }
.kpi span { font-size: 8.5pt; color: #5b6470; }
figure { margin: 4mm 0; break-inside: avoid; }
figcaption { font-size: 8.5pt; color: #5b6470; margin-top: 1mm; }
svg.chart { width: 100%; height: auto; font-family: "DejaVu Sans", sans-serif; fill: #1b1f24; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0 6mm; font-size: 8.5pt; }
caption { text-align: left; font-weight: bold; padding-bottom: 1.5mm; caption-side: top; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { background: #eef2f8; text-align: left; padding: 1.5mm 2mm; border-bottom: 1px solid #9aa4b1; }
td { padding: 1.2mm 2mm; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
.n { text-align: right; font-variant-numeric: tabular-nums; }
table.incidents td:nth-child(5) { width: 48%; }
.sev-critical { color: #b42318; font-weight: bold; }
"""

def main():
    bar, bdata = bar_chart()
    line, mttd, mttr = line_chart()
    total = sum(sum(r) for r in bdata)
    logo = ('<svg class="logo" viewBox="0 0 64 64" aria-hidden="true"><path d="M32 4 L58 14 V32 C58 46 46 56 32 60 C18 56 6 46 6 32 V14 Z" '
            'fill="#1a5fd0" stroke="#fff" stroke-width="3"/><path d="M20 33 l8 8 l16 -17" fill="none" stroke="#fff" stroke-width="5"/></svg>')
    p = []
    p.append('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
             '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">'
             '<title>Consolidated executive report — November 2026</title><style>' + CSS + '</style></head><body>')
    p.append(f'<section class="cover">{logo}<h1>Consolidated executive report</h1>'
             '<div class="sub">Bluefin IT and its 48 customer accounts<br>1 December 2025 – 30 November 2026</div>'
             '<div class="meta">Prepared by Northwind Security for Bluefin IT<br>Generated 2026-12-02 06:00 UTC · MSSP Portal</div></section>')
    p.append('<nav class="toc"><h2>Contents</h2><ol>')
    for i, (sid, title) in enumerate(SECTIONS, 1):
        p.append(f'<li><a href="#{sid}">{i}. {esc(title)}</a><span class="dots"></span><span class="pg">{{{{page.{sid}}}}}</span></li>')
    p.append('</ol></nav>')
    p.append('<h2 id="s1">1. Executive summary</h2>')
    p.append('<div class="kpis">' + "".join(f'<div class="kpi"><b>{v}</b><span>{esc(k)}</span></div>' for k, v in [
        ("alerts triaged", f"{total:,}"), ("incidents", "16"), ("mean time to resolve, Nov", f"{mttr[-1]} h"), ("devices protected", "9 214")]) + '</div>')
    for _ in range(4):
        p.append('<p>Across the 48 accounts Bluefin IT manages, alert volume rose in the spring with the phishing campaigns that '
                 'targeted payroll providers and fell again after the new threat-prevention profile reached every account in June. '
                 'Critical vulnerabilities older than 30 days are concentrated in eleven accounts, most of them on the pinned '
                 'agent ring; moving those to the broad ring is the single change that would reduce exposure most. '
                 'Mean time to resolve fell by more than a third over the year, and no incident led to data leaving a customer network.</p>')
    p.append('<h3>Recommendations</h3><p>1. Move the eleven accounts on the pinned ring to broad by the end of January. '
             '2. Enforce MFA on every mailbox of the accounts that still allow legacy authentication. '
             '3. Retire the three VPN appliances past end of support. 4. Review the 14 access-policy exceptions older than a year.</p>')
    p.append('<h2 id="s2">2. Threat activity</h2><p>Alerts raised by gateways and agents in all accounts, by month and severity. '
             'An alert is counted once, when it is raised, whatever its outcome.</p>')
    p.append(f'<figure>{bar}<figcaption>Figure 1. Alerts per month by severity, all 48 accounts.</figcaption></figure>')
    p.append(table("monthly", "Table 1. Alerts per month", ["month", "critical", "high", "medium", "low", "total"],
                   [(m, *r, sum(r)) for m, r in zip(MONTHS, bdata)], num=(1, 2, 3, 4, 5)))
    p.append('<h2 id="s3">3. Incidents</h2><p>Incidents are alerts an analyst confirmed and worked to resolution. '
             'The time to detect runs from the first malicious event to the alert; the time to resolve from the alert to closure.</p>')
    p.append(f'<figure>{line}<figcaption>Figure 2. Mean time to detect and to resolve, hours, per month.</figcaption></figure>')
    p.append(table("incidents", "Table 2. Incidents of the year", ["incident", "opened", "account", "severity", "summary", "resolved in"],
                   incidents(), num=(5,)))
    p.append('<h2 id="s4">4. Vulnerabilities by account</h2><p>Open findings of the last scan of each account; "patched" is the share of '
             'findings of the year closed within their target time (critical 7 days, high 30, medium 90).</p>')
    p.append(table("vulns", "Table 3. Open vulnerabilities by account", ["account", "managed by", "devices", "critical", "high", "medium", "patched", "oldest critical, days"],
                   vuln_rows(), num=(2, 3, 4, 5, 6, 7)))
    p.append('<h2 id="s5">5. Devices and agents</h2><p>Devices that reported late or run an agent version older than the ring\'s.</p>')
    p.append(table("devices", "Table 4. Devices needing attention", ["device", "account", "kind", "version", "ring", "last seen", "state"], device_rows()))
    p.append('<h2 id="s6">6. Configuration plans</h2><p>Which shared plan each account follows, and the sections it overrides.</p>')
    p.append(table("plans", "Table 5. Plans followed", ["account", "plan", "overrides"],
                   [(c, R.choice(["Baseline", "Bluefin strict", "Baseline", "(defaults)"]), R.choice(["—", "—", "url_filtering", "access_policy, url_filtering", "agent_updates"])) for c in COMPANIES[:24]]))
    p.append('<h2 id="s7" class="flow">7. Method and definitions</h2>')
    for _ in range(3):
        p.append('<p>Figures are computed from the portal\'s database at the time the report is generated, for the accounts the '
                 'recipient may see. Severities are those of the alert when it was raised. Times are in UTC. Accounts added during the '
                 'year count from the day they were added. Every table of this report is also available as a CSV file, and the same '
                 'report as a web page, from the Reports page of the portal.</p>')
    p.append('</body></html>\n')
    print("\n".join(p))

main()
