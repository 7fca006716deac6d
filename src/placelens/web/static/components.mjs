// Starts GOV.UK Frontend's components (skip link, service navigation, error summary, ...).
import { initAll } from './vendor/govuk-frontend.min.js';

initAll();
