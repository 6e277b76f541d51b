/** A widget page in a frame reports its content's height to the SDK element around it, which fits the frame to it. */
import { useEffect, type RefObject } from 'react';
import { WIDGET_CHANNEL, type WidgetResizeMessage } from '../sdk/protocol.ts';

export function useFitFrame(content: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const element = content.current;
    if (!element || window.parent === window) return;
    let last = 0;
    const report = () => {
      const height = Math.ceil(element.getBoundingClientRect().height);
      if (height === last) return;
      last = height;
      const message: WidgetResizeMessage = { channel: WIDGET_CHANNEL, type: 'resize', height };
      window.parent.postMessage(message, '*');
    };
    const observer = new ResizeObserver(report);
    observer.observe(element);
    report();
    return () => observer.disconnect();
  }, [content]);
}
