/**
 * The arXiv identifier grammar (same rules as shared/ronbun/ids.py) and the paper
 * reference read from an arxiv.org page URL. Nothing reaches the API without passing here.
 */

const OLD_ARCHIVES = new Set(`
acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas
cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th math math-ph mtrl-th nlin nucl-ex
nucl-th patt-sol physics plasm-ph q-alg q-bio quant-ph solv-int supr-con
`.trim().split(/\s+/));

const NEW_ID = /^(\d{2})(\d{2})\.(\d{4,5})(?:v([1-9]\d{0,3}))?$/;
const OLD_ID = /^([a-z]+(?:-[a-z]+)?)(?:\.([A-Za-z]{2}(?:-[a-z]{2,10})?))?\/(\d{2})(\d{2})(\d{3})(?:v([1-9]\d{0,3}))?$/;
const PAGE_HOSTS = new Set(["arxiv.org", "www.arxiv.org", "export.arxiv.org"]);
const PAGE_KINDS = new Set(["abs", "pdf", "html"]);
const MAX_INPUT = 200;

/**
 * Parse a bare identifier such as "2401.15884v2" or "hep-th/9901001".
 * @param {string} text
 * @returns {{id: string, version: number|null} | null}
 */
export function parseId(text) {
  if (typeof text !== "string" || !text || text.length > MAX_INPUT || !/^[\x20-\x7e]+$/.test(text)) {
    return null;
  }
  let s = text.trim();
  if (s.slice(0, 6).toLowerCase() === "arxiv:") s = s.slice(6);
  let m = NEW_ID.exec(s);
  if (m) {
    const [, yy, mm, num, v] = m;
    const month = Number(mm);
    const yymm = Number(yy) * 100 + month;
    if (month < 1 || month > 12 || yymm < 704) return null;
    if (num.length !== (yymm <= 1412 ? 4 : 5)) return null;
    return { id: `${yy}${mm}.${num}`, version: v ? Number(v) : null };
  }
  m = OLD_ID.exec(s);
  if (m) {
    const [, arch, , yy, mm, num, v] = m;
    if (!OLD_ARCHIVES.has(arch)) return null;
    const month = Number(mm);
    const year = Number(yy) >= 91 ? 1900 + Number(yy) : 2000 + Number(yy);
    if (month < 1 || month > 12) return null;
    const ym = year * 100 + month;
    if (ym < 199108 || ym > 200703) return null;
    return { id: `${arch}/${yy}${mm}${num}`, version: v ? Number(v) : null };
  }
  return null;
}

/**
 * The paper a page is about: https://arxiv.org/{abs,pdf,html}/<id>[vN][.pdf][/][?query][#fragment].
 * @param {string} href
 * @returns {{id: string, version: number|null, kind: "abs"|"pdf"|"html"} | null}
 */
export function paperRefFromUrl(href) {
  let u;
  try {
    u = new URL(href);
  } catch {
    return null;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return null;
  if (!PAGE_HOSTS.has(u.hostname) || u.username || u.password) return null;
  if (u.port && u.port !== "443" && u.port !== "80") return null;
  const path = u.pathname;
  if (path.includes("%") || path.includes("\\")) return null;
  const parts = path.split("/");
  if (parts.length < 3 || parts[0] !== "" || !PAGE_KINDS.has(parts[1])) return null;
  const kind = parts[1];
  let rest = parts.slice(2).join("/").replace(/\/+$/, "");
  if (kind === "pdf" && rest.endsWith(".pdf")) rest = rest.slice(0, -4);
  const ref = parseId(rest);
  return ref ? { ...ref, kind } : null;
}

/** "2401.15884v2" or "2401.15884": the id the API is asked for. */
export function refToString(ref) {
  return ref.version ? `${ref.id}v${ref.version}` : ref.id;
}

/** True when text is a bare, valid identifier (with or without version). */
export function isValidId(text) {
  return parseId(text) !== null;
}
