/**
 * A plain badge icon (rounded square, one or two letters) for connectors that do not ship
 * artwork. Brand logos are trademarks; a connector may inline its own SVG instead.
 *
 * @example monogramIcon('St', '#635bff')
 */
export function monogramIcon(letters: string, background: string, foreground = '#ffffff'): string {
  const text = escapeXml(letters.slice(0, 2));
  const size = letters.length > 1 ? 13 : 16;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" role="img" aria-label="${text}">` +
    `<rect width="32" height="32" rx="7" fill="${escapeXml(background)}"/>` +
    `<text x="16" y="21.5" text-anchor="middle" font-family="system-ui, sans-serif" font-size="${size}" font-weight="700" fill="${escapeXml(foreground)}">${text}</text>` +
    `</svg>`
  );
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
