/** Hands a file to the browser's downloads, as a link with `download` would. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // The download has started from the object URL by then; keeping it longer keeps the bytes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
