import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { startPage } from './app.js';

void startPage();
