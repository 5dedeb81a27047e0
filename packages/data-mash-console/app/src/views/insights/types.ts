// The insights of a flow as `GET /journeys/{journeyId}/insights` answers them: the data mash's own
// types, imported as types only (of @platform/data-mash the console bundles only the browser-safe
// `@platform/data-mash/wording`). They are plain JSON shapes (dates are ISO strings), so the wire
// and the server agree by construction.
import type { ColumnProfile, TableInsights } from '@platform/data-mash';

export type {
  ColumnOutliers,
  ColumnProfile,
  ColumnType,
  DateProfile,
  DateUnit,
  InsightsResult,
  QualityFlag,
  TableInsights,
} from '@platform/data-mash';

/** A numeric column's figures. */
export type NumericProfile = NonNullable<ColumnProfile['numeric']>;
/** A Pearson (and Spearman) coefficient of two numeric columns. */
export type Correlation = TableInsights['correlations'][number];
