const fs = require('fs');
console.log('pre runs');
fs.appendFileSync(process.env.GITHUB_STATE, 'from_pre=yes\n');
