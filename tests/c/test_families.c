/* Runs the C checks of each loss family (tests/c/<family>_snippet.c, compiled together with
 * this file by capi/tests/c_programs.rs). Each check_* returns its number of failures. */
#include <stdio.h>

int check_atomistic(void);
int check_classification(void);
int check_spectra(void);
int check_probabilistic(void);

int main(void) {
    int failures = 0;
    failures += check_atomistic();
    failures += check_classification();
    failures += check_spectra();
    failures += check_probabilistic();
    if (failures) {
        fprintf(stderr, "%d C checks failed\n", failures);
        return 1;
    }
    printf("all family checks passed\n");
    return 0;
}
