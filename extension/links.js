/**
 * Which links the overlay may render. API text is untrusted: a link is made only for an
 * https: URL without credentials whose host is arXiv, GitHub or a host of the paper's own
 * code URLs; everything else is shown as plain text.
 */

import { parseId, refToString } from "./ids.js";

export const BASE_HOSTS = Object.freeze(["arxiv.org", "github.com"]);
const MAX_URL = 2048;
const MAX_PAGE = 10000;

function parseHttps(raw) {
  if (typeof raw !== "string" || !raw || raw.length > MAX_URL) return null;
  let u;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== "https:" || u.username || u.password || !u.hostname) return null;
  return u;
}

/**
 * The hosts links may point to for one result: arxiv.org, github.com and the hosts of
 * the https: code URLs found in the paper.
 * @param {string[]|undefined} codeUrls
 * @returns {Set<string>}
 */
export function allowedHosts(codeUrls) {
  const hosts = new Set(BASE_HOSTS);
  for (const raw of Array.isArray(codeUrls) ? codeUrls : []) {
    const u = parseHttps(raw);
    if (u) hosts.add(u.hostname);
  }
  return hosts;
}

/**
 * The URL to put in href, or null when the link is not allowed.
 * @param {string} raw
 * @param {Set<string>} hosts from allowedHosts()
 * @returns {string|null}
 */
export function safeHref(raw, hosts) {
  const u = parseHttps(raw);
  if (!u || !hosts.has(u.hostname)) return null;
  return u.href;
}

/**
 * https://arxiv.org/<kind>/<id>[v<n>] built from a validated id only (never from API URLs).
 * @param {"abs"|"pdf"} kind
 * @param {string} paperId bare id, possibly with version
 * @param {number|null|undefined} version wins over a version inside paperId
 * @returns {string|null}
 */
export function arxivUrl(kind, paperId, version) {
  const ref = parseId(String(paperId ?? ""));
  if (!ref || (kind !== "abs" && kind !== "pdf")) return null;
  const v = Number.isInteger(version) && version > 0 ? version : ref.version;
  return `https://arxiv.org/${kind}/${refToString({ id: ref.id, version: v })}`;
}

/** The PDF page an evidence quote comes from: https://arxiv.org/pdf/<id>v<n>#page=N. */
export function pdfPageUrl(paperId, version, page) {
  const base = arxivUrl("pdf", paperId, version);
  if (!base || !Number.isInteger(page) || page < 1 || page > MAX_PAGE) return null;
  return `${base}#page=${page}`;
}
