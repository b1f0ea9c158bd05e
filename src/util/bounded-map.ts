/**
 * Sets `key` and, past `capacity`, drops the oldest entry: caches of Slack look-ups must not
 * grow with every person or request the bot ever sees.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  if (map.size >= capacity) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
