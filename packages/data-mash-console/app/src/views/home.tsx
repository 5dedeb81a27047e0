import { JourneyList } from './journey-list.js';
import { UploadPanel } from './upload.js';

export function HomeView() {
  return (
    <>
      <h1 tabIndex={-1}>Journeys</h1>
      <UploadPanel />
      <JourneyList />
    </>
  );
}
