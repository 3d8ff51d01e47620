/** The overlay's stylesheet (adopted by its shadow root; the page's CSS cannot reach it). */

export const OVERLAY_CSS = `
/* !important: page rules that match the host element must not move or hide it. */
:host {
  all: initial !important;
  position: fixed !important;
  inset: 0 !important;
  z-index: 2147483647 !important;
  display: block !important;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
  --accent: #b31b1b; --on-accent: #ffffff; --link: #0757b4; --warn-bg: #fff1e5; --warn-fg: #8a3a00;
  --err-bg: #ffebe9; --err-fg: #a40e26; --badge-bg: #eef2ff; --badge-fg: #3730a3;
  font-family: "Hiragino Kaku Gothic ProN", "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP",
    "Yu Gothic UI", "Yu Gothic", Meiryo, system-ui, sans-serif;
  font-size: 15px;
  line-height: 1.75;
  color: var(--fg);
}
@media (prefers-color-scheme: dark) {
  :host {
    --bg: #161b22; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --soft: #212830;
    --accent: #ff7b72; --on-accent: #2b0b09; --link: #79c0ff; --warn-bg: #3a2410; --warn-fg: #ffb77c;
    --err-bg: #3c1618; --err-fg: #ffa198; --badge-bg: #272a4d; --badge-fg: #c7d2fe;
  }
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.backdrop { position: absolute; inset: 0; background: rgba(0, 0, 0, 0.28); }
.panel {
  position: absolute; top: 0; right: 0; bottom: 0;
  width: min(480px, 100vw); display: flex; flex-direction: column;
  background: var(--bg); color: var(--fg);
  border-left: 1px solid var(--line); box-shadow: -8px 0 24px rgba(0, 0, 0, 0.18);
}
.panel:focus { outline: none; }
header.bar {
  display: flex; align-items: center; gap: 8px; padding: 10px 14px 10px 18px;
  border-bottom: 1px solid var(--line);
}
.brand { font-weight: 700; color: var(--accent); letter-spacing: 0.02em; }
.brand small { color: var(--muted); font-weight: 400; margin-left: 6px; }
.spacer { flex: 1; }
button {
  font: inherit; font-size: 14px; color: var(--fg); background: var(--soft);
  border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px; cursor: pointer;
}
button:hover { border-color: var(--muted); }
button:focus-visible, a:focus-visible, summary:focus-visible {
  outline: 2px solid var(--link); outline-offset: 2px;
}
button.close { font-size: 20px; line-height: 1; padding: 4px 10px; background: transparent; border-color: transparent; }
button.primary { background: var(--accent); color: var(--on-accent); border-color: var(--accent); }
button:disabled, button.primary:disabled { opacity: 1; cursor: not-allowed; background: var(--soft); color: var(--muted); border-color: var(--line); }
.body { flex: 1; overflow-y: auto; overflow-anchor: none; padding: 16px 18px 24px; } /* the view keeps the scroll itself */
h2.title { font-size: 18px; line-height: 1.5; margin: 0 0 6px; font-weight: 700; }
.meta { margin: 0; color: var(--muted); font-size: 13px; line-height: 1.6; }
a { color: var(--link); text-decoration: underline; text-underline-offset: 2px; word-break: break-all; }
.status { margin: 16px 0; padding: 12px 14px; background: var(--soft); border-radius: 8px; }
.status progress { display: block; width: 100%; height: 6px; margin-top: 8px; accent-color: var(--accent); }
.error { margin: 16px 0; padding: 12px 14px; background: var(--err-bg); color: var(--err-fg); border-radius: 8px; }
.error p { margin: 0; }
.error .actions { margin-top: 10px; display: flex; gap: 8px; flex-wrap: wrap; }
.result { margin-top: 14px; }
.badge {
  display: inline-block; font-size: 12px; padding: 1px 8px; border-radius: 999px;
  background: var(--badge-bg); color: var(--badge-fg);
}
.badge.checked { margin-left: 6px; }
button.badge.verify { margin-left: 6px; border: 1px solid transparent; line-height: inherit; font-size: 12px; padding: 1px 8px; }
button.badge.verify::after { content: " ▸"; }
button.badge.verify[aria-expanded="true"]::after { content: " ▾"; }
button.badge.verify:not(.verified) { background: var(--warn-bg); color: var(--warn-fg); }
.verification { margin: 8px 0 0; padding: 8px 12px; background: var(--soft); border-radius: 8px; font-size: 13px; }
.verification ul { margin: 0; padding-left: 1.2em; }
.badge.offline { background: var(--warn-bg); color: var(--warn-fg); }
.offline-hint { margin: 0.4em 0 0; font-size: 0.85em; color: var(--muted, #59636e); }
.one-liner { font-size: 16px; font-weight: 700; margin: 8px 0 4px; }
h3 { font-size: 14px; margin: 18px 0 6px; padding-bottom: 2px; border-bottom: 1px solid var(--line); color: var(--accent); }
.summary p { margin: 0 0 8px; }
ol.qa { margin: 0; padding: 0; list-style: none; counter-reset: qa; }
ol.qa > li { margin: 0 0 14px; padding: 10px 12px; background: var(--soft); border-radius: 8px; }
.q, .a { margin: 0; }
.q { font-weight: 700; }
.label { display: inline-block; min-width: 1.6em; font-weight: 700; color: var(--accent); }
.evidence { margin: 6px 0 0; padding: 0; list-style: none; font-size: 13px; color: var(--muted); }
.evidence li { margin: 2px 0; }
.evidence details { display: inline; margin-left: 6px; }
details.abstract { margin-top: 6px; font-size: 13px; }
details.abstract p { margin: 4px 0 0; }
summary { cursor: pointer; color: var(--muted); }
.evidence summary { display: inline; }
.evidence summary::before { content: "▸ "; }
.evidence details[open] summary::before { content: "▾ "; }
blockquote {
  margin: 4px 0 6px; padding: 4px 10px; border-left: 3px solid var(--line);
  font-family: Georgia, "Times New Roman", serif; font-size: 13px; color: var(--fg);
}
ul.code { margin: 0; padding-left: 1.2em; }
.badge.pending { background: var(--soft); color: var(--muted); border: 1px solid var(--line); }
.source-label {
  display: inline-block; margin: 8px 0 0; padding: 0 8px; font-size: 12px; border-radius: 4px;
  background: var(--warn-bg); color: var(--warn-fg);
}
.qa-progress { margin: 0 0 8px; font-size: 13px; color: var(--muted); }
.sentence[role="button"] {
  cursor: pointer; border-radius: 3px;
  text-decoration: underline dotted var(--muted); text-underline-offset: 4px;
}
.sentence[role="button"]:hover { background: var(--soft); }
.sentence[role="button"]:focus-visible { outline: 2px solid var(--link); outline-offset: 1px; }
.sentence[role="button"][aria-expanded="true"] { background: var(--badge-bg); text-decoration: none; }
.sentence-evidence {
  display: block; margin: 4px 0 8px; padding: 6px 10px; font-size: 13px; font-weight: 400;
  background: var(--soft); border-left: 3px solid var(--link); border-radius: 0 6px 6px 0;
}
.sentence-evidence ul { margin: 0; padding: 0; list-style: none; }
.sentence-evidence li + li { margin-top: 6px; }
.sentence-evidence blockquote { margin: 0 0 2px; border-left: none; padding: 0; }
.sentence-evidence .page { color: var(--muted); }
.generator { margin-top: 18px; font-size: 12px; color: var(--muted); }
footer.bar {
  display: flex; align-items: center; gap: 10px; padding: 10px 18px;
  border-top: 1px solid var(--line);
}
.copied { font-size: 13px; color: var(--muted); }
`;
