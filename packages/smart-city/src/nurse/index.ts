export { type Checkup, Nurse, NurseRef, nurse, type ServiceCondition } from './nurse.js';
