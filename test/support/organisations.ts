// Two organisations for tests: Bolton (241, weekdays) first, so the default; Wigan (242, weekends only).
export const TWO_ORGANISATIONS = {
  organisations: [
    {
      code: '241',
      orgName: '241 Bolton Hospitals NHS Trust',
      trustName: 'Bolton NHS Foundation Trust',
      workforceEmail: 'workforce.241@bolton.example',
      workforceLocation: 'N Block, Bolton',
      leadEmployerEmail: 'lead.241@bolton.example',
      officeHours: 'Mon-Fri 09:00-17:00',
      timeZone: 'Europe/London',
      defaultLanguage: 'en-GB',
    },
    {
      code: '242',
      orgName: '242 Wigan Hospitals NHS Trust',
      trustName: 'Wigan Teaching Hospitals',
      workforceEmail: 'workforce.242@wigan.example',
      workforcePhone: '01942 000000',
      workforceLocation: 'Buckingham Row, Wigan',
      leadEmployerEmail: 'lead.242@wigan.example',
      officeHours: 'Sat-Sun 10:00-14:00',
      timeZone: 'Europe/London',
      defaultLanguage: 'cy-GB',
    },
  ],
};
