export { duration, figure, jsonText, printable } from './readable.js';
