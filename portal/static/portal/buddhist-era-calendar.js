/* The admin's calendar in the Buddhist era (BE) for a Thai user's date inputs (data-era="BE",
   portal.fields.LocalDateInput): a picked day, or "Today", is written with its BE year, the
   calendar's caption shows the BE year, and a typed BE date opens the calendar on its month.
   The server reads the input back (portal.dates.parse_date). English inputs are left alone. */
'use strict';
{
    const OFFSET = 543;
    const shortcuts = window.DateTimeShortcuts;
    const calendar = window.CalendarNamespace;
    const inputFormat = () => get_format('DATE_INPUT_FORMATS')[0];
    const isBuddhist = (input) => Boolean(input) && input.dataset.era === 'BE';

    function buddhistText(day) {
        const year = String(day.getFullYear() + OFFSET);
        return day.strftime(inputFormat().replace('%Y', year).replace('%y', year.slice(2)));
    }

    // The input's text with its year back in the Christian era, as the calendar reads it.
    function christianText(text) {
        const parts = text.split(/([.\-/])/);
        const fields = inputFormat().split(/[.\-/]/);
        const index = fields.indexOf('%Y');
        const year = parseInt(parts[index * 2], 10);
        if (index < 0 || parts.length !== fields.length * 2 - 1 || isNaN(year)) {
            return text;
        }
        parts[index * 2] = String(year - OFFSET);
        return parts.join('');
    }

    const handleCalendarCallback = shortcuts.handleCalendarCallback;
    shortcuts.handleCalendarCallback = function(num) {
        const write = handleCalendarCallback(num);
        return function(year, month, day) {
            write(year, month, day);
            const input = shortcuts.calendarInputs[num];
            if (isBuddhist(input)) {
                input.value = buddhistText(new Date(year, month - 1, day));
            }
        };
    };

    const handleCalendarQuickLink = shortcuts.handleCalendarQuickLink;
    shortcuts.handleCalendarQuickLink = function(num, offset) {
        handleCalendarQuickLink(num, offset);
        const input = shortcuts.calendarInputs[num];
        if (isBuddhist(input)) {
            const day = shortcuts.now();
            day.setDate(day.getDate() + offset);
            input.value = buddhistText(day);
        }
    };

    const openCalendar = shortcuts.openCalendar;
    shortcuts.openCalendar = function(num) {
        const input = shortcuts.calendarInputs[num];
        if (!isBuddhist(input) || !input.value) {
            openCalendar(num);
            return;
        }
        const shown = input.value;
        input.value = christianText(shown);
        try {
            openCalendar(num);
        } finally {
            input.value = shown;
        }
    };

    const draw = calendar.draw;
    calendar.draw = function(month, year, divId, callback, selected) {
        draw.call(this, month, year, divId, callback, selected);
        const prefix = shortcuts.calendarDivName2;
        const input = shortcuts.calendarInputs[divId.slice(prefix.length)];
        if (divId.startsWith(prefix) && isBuddhist(input)) {
            document.querySelector('#' + divId + ' caption').textContent =
                calendar.monthsOfYear[month - 1] + ' ' + (parseInt(year, 10) + OFFSET);
        }
    };
}
