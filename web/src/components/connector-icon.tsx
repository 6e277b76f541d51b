/** A connector's icon: its manifest's SVG shown as an image (no markup of it enters the page). */
export function ConnectorIcon({ svg, size = 32 }: { svg: string; size?: number }) {
  return <img className="connector-icon" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} alt="" width={size} height={size} />;
}
