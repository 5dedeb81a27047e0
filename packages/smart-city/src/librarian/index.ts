export {
  type Embedder,
  type IndexRequest,
  Librarian,
  LibrarianRef,
  type LibraryHit,
  librarian,
  RRF_K,
  type SearchMode,
  type TextEmbedder,
} from './librarian.js';
