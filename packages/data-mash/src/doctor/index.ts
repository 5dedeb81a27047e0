export {
  DEFAULT_DOCTOR_MIN_AGE_MS,
  type DoctorFinding,
  type DoctorFindingKind,
  type DoctorReport,
  type DoctorSummary,
  type ExamineStorageOptions,
  examineStorage,
} from './doctor.js';
