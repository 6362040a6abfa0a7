/** Connected components of a binary mask (4-connected), by flood fill with an explicit stack. */
export interface Components {
  /** Component id per pixel, 0 = background, 1..count = components. */
  labels: Int32Array;
  count: number;
  /** Pixel count per component id (index 0 unused). */
  sizes: number[];
}

export function labelComponents(on: Uint8Array, width: number, height: number): Components {
  const labels = new Int32Array(width * height);
  const sizes = [0];
  const stack: number[] = [];
  let count = 0;
  const visit = (j: number) => {
    if (!on[j] || labels[j]) return;
    labels[j] = count;
    stack.push(j);
  };
  for (let start = 0; start < on.length; start++) {
    if (!on[start] || labels[start]) continue;
    count++;
    let size = 0;
    labels[start] = count;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      size++;
      const x = i % width;
      // The four neighbours, without allocating per pixel (this runs for every masked pixel).
      if (x > 0) visit(i - 1);
      if (x < width - 1) visit(i + 1);
      if (i >= width) visit(i - width);
      if (i + width < on.length) visit(i + width);
    }
    sizes.push(size);
  }
  return { labels, count, sizes };
}
