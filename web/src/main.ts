import 'element-plus/dist/index.css';
import './style.css';
import { createApp } from 'vue';
import App from './App.vue';
import { prefetchFreshness } from './freshness';
import { router } from './router';

// Element Plus components are imported where used (not registered globally), so a page loads only
// the components it shows; the Chinese locale comes from the config provider in App.vue.
prefetchFreshness();
createApp(App).use(router).mount('#app');
